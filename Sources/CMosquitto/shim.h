#ifndef WATTLINE_CMOSQUITTO_SHIM_H
#define WATTLINE_CMOSQUITTO_SHIM_H
#include <mosquitto.h>
#include <mqtt_protocol.h>
#endif
