"""Background work for members: reminders before agreement invitations expire, and expiry."""

from celery import shared_task

from members import agreements


@shared_task
def remind_and_expire_agreements() -> tuple[int, int]:
    return agreements.agreements_remind_and_expire()
