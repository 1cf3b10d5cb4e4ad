--b
Content-Disposition: form-data; name="query"

SELECT {a:String}
--b
Content-Disposition: form-data; name="param_a"

v
--b--
