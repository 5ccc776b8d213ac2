"""Word (.docx) layer: the compiled-template engine and deterministic zip writing."""
