"""The Streamlit app, inside the package so that ``pip install stlib[app]`` then ``stlib app``
works from a wheel: ``streamlit_app`` (the page Streamlit runs), one panel per method
(``gatys_panel``, ``arbitrary_panel``, ``cin_panel``), ``compare_panel`` (the methods side by
side), ``image_pickers`` (samples, uploads, the camera) and ``common`` (labels, errors, plots).

Importing this package imports neither Streamlit nor TensorFlow: ``stlib app`` reads
``STREAMLIT_OPTIONS`` and ``SCRIPT`` from here, then becomes the Streamlit server.
"""

from pathlib import Path

__all__ = ["SCRIPT", "STREAMLIT_OPTIONS", "UPLOAD_MB"]

SCRIPT = Path(__file__).resolve().parent / "streamlit_app.py"

# MB per uploaded file: Streamlit's limit, and what each uploader says (image_pickers);
# stlib.uploads refuses more than 4096 x 4096 pixels before decoding.
UPLOAD_MB = 20

# Streamlit's settings, given on its command line by `stlib app` (so that no config file has to
# be found in the folder it starts from): the upload limit; no "open a browser" and no e-mail
# prompt (`stlib app` prints the URL); no usage statistics; the viewer's toolbar.
STREAMLIT_OPTIONS = {
    "server.maxUploadSize": str(UPLOAD_MB),
    "server.headless": "true",
    "browser.gatherUsageStats": "false",
    "client.toolbarMode": "viewer",
}
