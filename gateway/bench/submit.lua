-- wrk script: the durable submit's request (the same body the bare baseline reads), tenant alpha's test key.
wrk.method = "POST"
wrk.body = '{"prompt": "a lighthouse in a storm, waves crashing", "model": "wan2.5-t2v-preview", "seconds": "5", "size": "832x480"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer sk-test-alpha"
