"""The records store: tables (`models`), engine and session (`session`), the batch writer (`writer`), the
document-number register (`register`)."""
