# Western digits, as most of the IPU's Arabic-speaking parliaments print them; the month by
# name. Right-to-left layout is base.html's (dir="rtl").
DATE_FORMAT = "j F Y"  # 20 نوفمبر 2019
SHORT_DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y، H:i T"  # 20 نوفمبر 2019، 14:30 UTC
SHORT_DATETIME_FORMAT = "j F Y، H:i T"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
