"""Excel exchange with the learning centres: upload checks (`upload`), the sheet specs (`sheets`) and reading their
cells (`cells`), the importer (`importer`), marked error workbooks (`marking`), the year's other records
(`extras`), blank and filled import workbooks (`workbooks`) and the export (`export`)."""
