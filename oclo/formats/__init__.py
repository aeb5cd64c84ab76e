"""Date formats learners cannot misread (``FORMAT_MODULE_PATH``): the day before a short month
name, never a numeric day/month order that reads differently in the US and in Europe."""
