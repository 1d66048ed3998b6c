from django.urls import path

from hotline.web.views import auth, citizen, dashboard, intake, orders, portal, queues, worklists

app_name = "web"

urlpatterns = [
    path("", auth.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("password/", auth.PasswordChangeView.as_view(), name="password_change"),
    # 受理员
    path("intake/", intake.intake_new, name="intake"),
    path("intake/queue/", intake.intake_queue, name="intake_queue"),
    path("intake/history/", intake.phone_history, name="phone_history"),
    path("intake/assist/", intake.assist, name="assist"),
    path("intake/autosave/", intake.autosave, name="intake_autosave"),
    path("intake/<str:number>/", intake.intake_edit, name="intake_edit"),
    # role homes
    path("review/", queues.review, name="review"),
    path("review/dispatch/", worklists.bulk_dispatch, name="bulk_dispatch"),
    path("inbox/", queues.inbox, name="inbox"),
    path("inbox/sign/", worklists.bulk_sign, name="bulk_sign"),
    path("supervision/", queues.supervision, name="supervision"),
    path("callbacks/", queues.callbacks, name="callbacks"),
    path("callbacks/replies/", queues.sms_replies, name="sms_replies"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("units/search/", queues.unit_search, name="unit_search"),
    # orders
    path("orders/", orders.order_list, name="orders"),
    path("orders/export/", worklists.export_orders, name="orders_export"),
    path("orders/filters/", worklists.save_filter, name="save_filter"),
    path("orders/filters/<int:pk>/delete/", worklists.delete_filter, name="delete_filter"),
    path("orders/<str:number>/", orders.order_detail, name="order"),
    path("orders/<str:number>/act/<str:action>/", orders.order_act, name="order_act"),
    path("orders/<str:number>/files/<int:pk>/", orders.attachment, name="attachment"),
    # citizen portal
    path("portal/", portal.portal, name="portal"),
    path("portal/submitted/<str:token>/", portal.submitted, name="portal_submitted"),
    path("portal/track/", portal.track, name="track"),
    path("portal/rate/", citizen.rate, name="rate"),
    path("portal/rated/", citizen.rated, name="rated"),
    path("portal/s/<str:token>/", citizen.survey, name="survey"),
    path("portal/t/<str:token>/", citizen.tracking_link, name="tracking_link"),
]
