from django.dispatch import Signal

# Sent after the transaction that recorded population figures commits; `reference_dates` is a set of dates.
# Other apps react (funding recomputes contributions that use those figures) without members knowing them.
population_changed = Signal()
