"""The base of every sync history admin."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """History is read, never written by hand: not even a superuser may add, change or delete it."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
