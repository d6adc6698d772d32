from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "sync"
    verbose_name = "Sync with Trackunit"

    def ready(self) -> None:
        from sync import triggers

        triggers.connect()
