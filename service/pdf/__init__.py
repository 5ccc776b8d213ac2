"""PDF: LibreOffice conversion (the print master) and measurement of the rendered pages."""
