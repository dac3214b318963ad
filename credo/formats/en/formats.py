# Credo's English short dates stay ISO days, as Credo has always shown them; the long forms are
# Django's own.
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
