# Cycle reports (built by Celery) arrive with the reports issue; dashboards read the
# selectors of commitments and parliaments and own no tables.
