from django.shortcuts import render


def home(request):
    """The web portal's front page (the portal issue grows it into the end-user site)."""
    return render(request, "portal/home.html")
