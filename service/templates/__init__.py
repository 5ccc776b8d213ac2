"""Document templates: the shipped ones in doc_templates/, an office's overrides in <instance>/templates/.

    kinds       one declaration per template kind: file, the tag fields it provides, its sample data
    store       which file a kind renders from (override wins), sha256, install / roll back an override
    check       validation of an uploaded template (package, XML, tags, sandbox, dry run), Chinese reasons
    provenance  which template version (sha256) made each rendered file, for the document register
    cli         `wenshu template fields|check|list|install|rollback`
"""
