"""Reading documents: the facts a bill or a Customer Service Record states, with where each
was read (issue 14). Born-digital PDFs are read from their text layer (:mod:`.words`, in the
sandbox) and the facts found by label and position (:mod:`.facts`); one entry point,
:func:`faxline.documents.reading.extract.extract`. Pages without a text layer (scans) and
TIFF, PNG or JPEG documents (faxed pages, photos) are read by tesseract, a page a sandbox
job (:mod:`.ocr`), into the same words, so the facts are found alike.

Like the rest of :mod:`faxline.documents` it imports no Django and no app: it takes bytes
and gives back plain facts; the caller (porting) knows whose document it is."""
