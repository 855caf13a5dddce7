from django.urls import path

from papers import views

app_name = "papers"

urlpatterns = [
    path("papers/<int:pk>/", views.PaperDetailView.as_view(), name="paper-detail"),
    path("search/", views.SearchView.as_view(), name="search"),
]
