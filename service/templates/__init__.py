"""Document templates: the shipped ones in doc_templates/, an office's overrides in <instance>/templates/.

    template    what a template is (Template: file, title, how its sample data becomes the context); declared by
                the document kinds (service.kinds) that fill it
    catalogue   the template kinds, read off service.kinds.KINDS: lookup, the tag fields each provides, the listing
    store       which file a kind renders from (override wins), sha256, install / roll back an override
    check       validation of an uploaded template (package, XML, tags, sandbox, dry run), Chinese reasons
    provenance  which template version (sha256) made each rendered file, for the document register
    cli         `wenshu template fields|check|list|install|rollback`

Layers: template, store and provenance sit below the renderers (service.docx.engine uses them); catalogue, check
and cli sit above service.kinds (they read the one list).
"""
