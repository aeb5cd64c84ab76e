# "9 fév. 2026": French writes month names in lower case; "N" gives dotted abbreviations
# ("juil.", "mai"), where "b" writes June as "jui" and July as "jul".
DATE_FORMAT = "j N Y"
SHORT_DATE_FORMAT = "j N Y"
DATETIME_FORMAT = "j N Y, H:i"
SHORT_DATETIME_FORMAT = "j N Y, H:i"
