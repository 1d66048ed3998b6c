from django.urls import path

from hotline.analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.dashboard_page, name="dashboard"),
    path("assessment/", views.assessment_page, name="assessment"),
    path("assessment/orders/", views.drill_page, name="drill"),
    path("wall/", views.wall_page, name="wall"),
    path("callbacks/", views.callbacks_page, name="callbacks"),
    path("report/", views.report_page, name="report"),
    path("hotspots/", views.hotspots_page, name="hotspots"),
    path("hotspots/analyse/", views.hotspots_analyse, name="hotspots_analyse"),
    path("hotspots/hand-over/", views.hand_over, name="hand_over"),
]
