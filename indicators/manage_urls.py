"""The indicators app's administration pages, under /<tenant>/manage/."""

from django.urls import path

from indicators.views import imports

urlpatterns = [
    path("indicators/imports/", imports.indicator_imports, name="indicator-imports"),
]
