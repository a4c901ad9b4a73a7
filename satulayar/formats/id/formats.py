# "Selasa, 2 Januari 2018", "1.234,5", "08.05" as Indonesian readers expect.
DATE_FORMAT = "l, j F Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "l, j F Y H.i"
SHORT_DATETIME_FORMAT = "d/m/Y H.i"
TIME_FORMAT = "H.i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
FIRST_DAY_OF_WEEK = 1
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]
