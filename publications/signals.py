"""What a publication tells the apps built on it, which it does not import: they connect their
receivers in their ``AppConfig.ready``."""

from django.dispatch import Signal

#: Sent with ``publication`` after its editors changed how its issues are written, when the
#: change is committed: what was rendered in the old style (published pages, exports, feeds) is
#: out of date.
publication_style_changed = Signal()
