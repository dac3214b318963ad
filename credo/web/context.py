from functools import cached_property

from django.conf import settings


class Can:
    """What the signed-in person may do in the school of the page, for templates (`can.form_panel`).

    Each answer comes from the domain's `access.py`, asked lazily and once per request, so a
    template shows a link or a form exactly when the view and the service behind it would allow it.
    """

    def __init__(self, user, school):
        self.user, self.school = user, school

    @cached_property
    def manage_setup(self) -> bool:
        from credo.accounts.access import can_manage_setup

        return self.school is not None and can_manage_setup(self.user, self.school)

    @cached_property
    def form_panel(self) -> bool:
        from credo.mastery.access import can_form_panel

        return self.school is not None and can_form_panel(self.user, self.school)

    @cached_property
    def see_reviews(self) -> bool:
        from credo.mastery.access import can_see_reviews

        return self.school is not None and can_see_reviews(self.user, self.school)


def credo(request):
    """Template variables every page needs, and `can`, the one way templates ask about authority."""
    return {
        "credo_demo": settings.CREDO_DEMO,
        "credo_base_url": settings.CREDO_BASE_URL,
        "can": Can(getattr(request, "user", None), getattr(request, "school", None)),
    }
