from django.dispatch import Signal

# Sent after the transaction that recorded population figures commits; `reference_dates` is a set of dates.
# Other apps react (funding recomputes contributions that use those figures) without members knowing them.
population_changed = Signal()

# Sent after the transaction that changed an organisation's membership (status or dates) commits; `organisation_id`
# and `since`, the earliest date the change can affect. Funding recomputes the contributions of the years from then.
membership_changed = Signal()
