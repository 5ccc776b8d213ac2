"""Template builders: each module's `build(path)` writes one doc_templates/<name>.docx from code."""
