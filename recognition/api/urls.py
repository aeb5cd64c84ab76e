from django.urls import path

from recognition.api import views

app_name = "recognition-api"

urlpatterns = [
    path("recognition/agreements/", views.AgreementList.as_view(), name="agreements"),
    path("recognition/agreements/<id:pk>/", views.AgreementDetail.as_view(), name="agreement"),
    *(
        path(
            f"recognition/agreements/<id:pk>/{view.action}/",
            view.as_view(),
            name=f"agreement-{view.action}",
        )
        for view in (views.AgreementApprove, views.AgreementNewVersion, views.AgreementRetire)
    ),
    path("recognition/decisions/", views.DecisionList.as_view(), name="decisions"),
    path("recognition/decisions/<id:pk>/", views.DecisionDetail.as_view(), name="decision"),
    path("recognition/check/", views.RecognitionCheck.as_view(), name="check"),
    path("pathways/", views.PathwayList.as_view(), name="pathways"),
    path("pathways/<id:pk>/", views.PathwayDetail.as_view(), name="pathway"),
]
