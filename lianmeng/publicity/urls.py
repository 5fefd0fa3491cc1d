from django.urls import path

from . import feeds, views

app_name = "publicity"
URL_PREFIX = ""  # /news/..., /feeds/news.rss, /sitemap.xml at the site root

urlpatterns = [
    path("news/", views.article_list, name="articles"),
    path("news/new/", views.article_new, name="article-new"),
    path("news/manage/", views.workbench, name="workbench"),
    path("news/<int:pk>/", views.article_detail, name="article"),
    path("news/<int:pk>/cover/", views.article_cover, name="article-cover"),
    path("news/<int:pk>/edit/", views.article_edit, name="article-edit"),
    path("news/<int:pk>/<str:action>/", views.article_action, name="article-action"),
    path("feeds/news.rss", feeds.ArticleRssFeed(), name="feed-rss"),
    path("feeds/news.atom", feeds.ArticleAtomFeed(), name="feed-atom"),
    path("feeds/kind/<str:kind>.rss", feeds.ArticleRssFeed(), name="feed-kind-rss"),
    path("feeds/kind/<str:kind>.atom", feeds.ArticleAtomFeed(), name="feed-kind-atom"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
]
