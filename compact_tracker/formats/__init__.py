"""One date format per language, everywhere (FORMAT_MODULE_PATH): tables, history,
dashboards, emails and reports show a date as `{{ value|date }}` or `date_format(value)`,
a moment as `{{ value|date:"DATETIME_FORMAT" }}`, with its zone. English "20 Nov 2019",
French "20 nov. 2019" (Django's French abbreviations, never the ambiguous "jui")."""
