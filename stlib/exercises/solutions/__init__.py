"""Reference answers to the notebooks' exercises, for the tests and for teachers.

``solutions.nb02`` holds notebook 02's answers, and so on, under the names the notebook's student
cells use, so that ``exercises.nb02.check_gram_matrix(solutions.nb02.gram_matrix)`` passes. No
notebook imports this package: a notebook's student cells hold placeholders, and after each
exercise the notebook goes on with stlib's own implementation.
"""

__all__ = ["nb01", "nb02", "nb03", "nb04", "nb05", "nb06", "nb07", "nb08"]
