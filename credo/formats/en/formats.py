# Credo's English dates: ISO days, as Credo has always shown them; the long form for reports.
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
DATETIME_FORMAT = "j F Y, H:i"
