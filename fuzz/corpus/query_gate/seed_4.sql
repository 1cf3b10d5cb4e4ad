SELECT 1 /* nested /* comment */ */ -- line
# hash
#! bang
