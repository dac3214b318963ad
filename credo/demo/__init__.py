"""The demo: an invented network of three schools, its content and the loader that writes it.

A leaf app: it imports the domain apps, and nothing imports it (import-linter holds that) except
its own tests, a few tests elsewhere that load the demo, and Django, which finds its `demo`
management command.
"""
