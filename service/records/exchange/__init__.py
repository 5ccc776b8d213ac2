"""Excel exchange with the learning centres: upload checks (`upload`), the sheet specs (`sheets`), reading their
cells (`cells`) and rows (`reader`), the importer (`importer`), marked error workbooks (`marking`), the year's
other records (`extras`), blank and filled import workbooks (`workbooks`) and the export (`export`)."""
