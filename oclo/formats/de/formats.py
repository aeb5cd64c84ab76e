# "9. Feb. 2026": German puts a full stop after the day and capitalises the month (a noun).
DATE_FORMAT = "j. N Y"
SHORT_DATE_FORMAT = "j. N Y"
DATETIME_FORMAT = "j. N Y, H:i"
SHORT_DATETIME_FORMAT = "j. N Y, H:i"
