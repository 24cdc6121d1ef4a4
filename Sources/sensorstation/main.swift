print("sensorstation")
