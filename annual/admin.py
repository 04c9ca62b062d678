"""Administration of the annual cycle's template: the duties of the network's year (the secretariat edits them)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from annual.models import Duty


@admin.register(Duty)
class DutyAdmin(SimpleHistoryAdmin):
    list_display = ["title", "month", "day", "owner", "done_when", "body", "remind_days", "active"]
    list_filter = ["owner", "done_when", "active"]
    list_editable = ["active"]
