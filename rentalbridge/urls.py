from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

admin.site.site_header = "RentalBridge"
admin.site.site_title = "RentalBridge"
admin.site.index_title = "Rental data and its sync with Trackunit"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
]
