"""Text messages (SMS) behind one interface, chosen by the SMS_BACKEND setting.

Chinese providers send only pre-approved templates with numbered parameters and a registered signature (签名), so
the portal sends a template *name* ("code", "notice") with its parameters; SMS_TEMPLATES maps each name to the
provider's template ID, and TEMPLATE_TEXTS below is the text to submit for approval.

- `ConsoleBackend` (the default): writes the message to the log; for development and `make run`.
- `MemoryBackend`: keeps the messages in `MemoryBackend.sent` (tests, like Django's locmem mail backend).
- `TencentCloudBackend`: Tencent Cloud SMS API 3.0 (`SendSms`, version 2021-01-11), signed with TC3-HMAC-SHA256,
  over HTTPS with the standard library (the official SDK pulls in far more than this one call needs).
- SMS_BACKEND="" switches text messages off (then sign-up cannot ask for a code and reset is by mail only).
"""

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone as dt_timezone
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# The templates to register with the provider, numbered parameters as Tencent Cloud writes them.
TEMPLATE_TEXTS = {
    "code": "您的验证码为{1}，{2}分钟内有效。如非本人操作，请忽略本短信。",
    "notice": "您有一条青年文明号平台的新通知：{1}。请登录平台查看。",
}
# Tencent Cloud limits each template variable; a notice's subject is cut to this length.
NOTICE_PARAM_MAX = 20


class SmsError(Exception):
    """The provider refused the message or could not be reached."""


class BaseBackend:
    def __init__(self, **options):
        self.options = options

    def send(self, phone, template, params):
        """Send template `template` (a name of SMS_TEMPLATES) with `params` (strings) to the mainland mobile
        `phone` (11 digits). Raises SmsError when it was not accepted."""
        raise NotImplementedError

    @staticmethod
    def render(template, params):
        text = TEMPLATE_TEXTS[template]
        for number, value in enumerate(params, start=1):
            text = text.replace("{%d}" % number, str(value))
        return f"【{settings.SMS_SIGN_NAME}】{text}"


class ConsoleBackend(BaseBackend):
    def send(self, phone, template, params):
        logger.info("SMS to %s: %s", phone, self.render(template, params))


class MemoryBackend(BaseBackend):
    sent = []

    def send(self, phone, template, params):
        MemoryBackend.sent.append({"phone": phone, "template": template, "params": list(params), "text": self.render(template, params)})


def tc3_authorization(secret_id, secret_key, host, payload, timestamp, service="sms"):
    """The Authorization header of Tencent Cloud API 3.0 (TC3-HMAC-SHA256) for a JSON POST to `host`."""
    day = datetime.fromtimestamp(timestamp, dt_timezone.utc).strftime("%Y-%m-%d")
    content_type = "application/json; charset=utf-8"
    canonical = "\n".join(
        ["POST", "/", "", f"content-type:{content_type}\nhost:{host}\n", "content-type;host", hashlib.sha256(payload).hexdigest()]
    )
    scope = f"{day}/{service}/tc3_request"
    to_sign = "\n".join(["TC3-HMAC-SHA256", str(timestamp), scope, hashlib.sha256(canonical.encode()).hexdigest()])

    def sign(key, message):
        return hmac.new(key, message.encode(), hashlib.sha256).digest()

    signing_key = sign(sign(sign(f"TC3{secret_key}".encode(), day), service), "tc3_request")
    signature = hmac.new(signing_key, to_sign.encode(), hashlib.sha256).hexdigest()
    return f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, Signature={signature}"


class TencentCloudBackend(BaseBackend):
    """Options (settings.SMS_OPTIONS): secret_id, secret_key, sdk_app_id, region, endpoint."""

    version = "2021-01-11"

    def send(self, phone, template, params):
        o = self.options
        endpoint = o.get("endpoint") or "https://sms.tencentcloudapi.com"
        host = urlsplit(endpoint).netloc
        payload = json.dumps(
            {
                "PhoneNumberSet": [f"+86{phone}"],
                "SmsSdkAppId": o["sdk_app_id"],
                "SignName": settings.SMS_SIGN_NAME,
                "TemplateId": settings.SMS_TEMPLATES[template],
                "TemplateParamSet": [str(p) for p in params],
            },
            ensure_ascii=False,
        ).encode()
        timestamp = int(time.time())
        request = urllib.request.Request(
            endpoint,
            data=payload,
            method="POST",
            headers={
                "Authorization": tc3_authorization(o["secret_id"], o["secret_key"], host, payload, timestamp),
                "Content-Type": "application/json; charset=utf-8",
                "Host": host,
                "X-TC-Action": "SendSms",
                "X-TC-Timestamp": str(timestamp),
                "X-TC-Version": self.version,
                "X-TC-Region": o.get("region") or "ap-guangzhou",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=o.get("timeout", 10)) as response:
                answer = json.load(response).get("Response", {})
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise SmsError(f"Tencent Cloud SMS unreachable: {error}") from error
        if "Error" in answer:
            raise SmsError(f"Tencent Cloud SMS refused: {answer['Error'].get('Code')} {answer['Error'].get('Message')}")
        statuses = answer.get("SendStatusSet") or [{}]
        if statuses[0].get("Code") != "Ok":
            raise SmsError(f"Tencent Cloud SMS refused: {statuses[0].get('Code')} {statuses[0].get('Message')}")


def enabled():
    return bool(settings.SMS_BACKEND)


def send_sms(phone, template, params):
    if not enabled():
        raise SmsError("No SMS backend is configured.")
    import_string(settings.SMS_BACKEND)(**settings.SMS_OPTIONS).send(phone, template, params)
