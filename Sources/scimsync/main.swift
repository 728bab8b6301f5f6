print("scimsync")
