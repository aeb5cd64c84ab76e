# "2026 m. vasario 9 d.": Lithuanian puts the year first and the month, in lower case, in the
# genitive ("E"); an abbreviated month would read as a typo.
DATE_FORMAT = r"Y \m. E j \d."
SHORT_DATE_FORMAT = r"Y \m. E j \d."
DATETIME_FORMAT = r"Y \m. E j \d., H:i"
SHORT_DATETIME_FORMAT = r"Y \m. E j \d., H:i"
