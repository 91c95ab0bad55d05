from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from projects.models import Plan


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "projects/home.html", {"plans": Plan.objects.all()})
