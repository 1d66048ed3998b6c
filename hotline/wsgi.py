import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
application = get_wsgi_application()

# every view module loaded and set aside from the garbage collector (hotline.common.settle)
from hotline.common.settle import settle  # noqa: E402

settle()
