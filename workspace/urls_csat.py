from django.urls import path

from .views import csat as views_csat

urlpatterns = [
    path("<str:token>/", views_csat.csat_choose, name="csat-choose"),
    path("<str:token>/<str:score>", views_csat.csat_rate, name="csat-rate"),
    path("<str:token>/<str:score>/", views_csat.csat_rate),
]
