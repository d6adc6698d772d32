from django.core.management.base import BaseCommand, CommandError

from sync.audit_verification import verify_audit_trail


class Command(BaseCommand):
    help = "Check the audit trail's hash chain and body digests; fails naming the first broken attempt."

    def handle(self, *args, **options) -> None:
        verification = verify_audit_trail()
        if not verification.intact:
            raise CommandError(verification.message)
        self.stdout.write(verification.message)
