print("wattline")
