"""What every API endpoint shares: the error shape and the permission classes."""
