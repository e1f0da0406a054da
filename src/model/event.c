/* The names of event types and delivery states. */
#include "model/event.h"

#include "core/names.h"

static const char *const type_names[EVENT_TYPE_COUNT] = {
    [EVENT_APPLICATION_ISSUED] = "application.issued",
    [EVENT_APPLICATION_REJECTED] = "application.rejected",
    [EVENT_APPLICATION_SMS_SENT] = "application.sms_sent",
    [EVENT_APPLICATION_SMS_FAILED] = "application.sms_failed",
    [EVENT_CERTIFICATE_REVOKED] = "certificate.revoked",
};

static const char *const delivery_names[DELIVERY_COUNT] = {
    [DELIVERY_NONE] = "none",
    [DELIVERY_PENDING] = "pending",
    [DELIVERY_DELIVERED] = "delivered",
    [DELIVERY_FAILED] = "failed",
};

const char *event_type_name(event_type type)
{
    return (unsigned)type < EVENT_TYPE_COUNT ? type_names[type] : "unknown";
}

event_type event_type_parse(const char *text)
{
    return (event_type)names_find(type_names, EVENT_TYPE_COUNT, text);
}

const char *event_delivery_name(event_delivery delivery)
{
    return (unsigned)delivery < DELIVERY_COUNT ? delivery_names[delivery] : "unknown";
}

event_delivery event_delivery_parse(const char *text)
{
    return (event_delivery)names_find(delivery_names, DELIVERY_COUNT, text);
}
