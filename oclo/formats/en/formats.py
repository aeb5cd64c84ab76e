# "9 Feb 2026": Django's English default ("Feb. 9, 2026", "02/09/2026") is American.
DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
