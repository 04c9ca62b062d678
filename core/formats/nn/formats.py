# Nynorsk documents use the same Norwegian formats as Bokmål: 17.11.2020, 133 820.
from core.formats.nb.formats import *  # noqa: F403
