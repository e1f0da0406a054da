"""A small DER reader for the tests, independent of the service's code: walks tag-length-value items so that a test
can pull a signature's parts (the signature value, the embedded timestamp token) out of a PDF's CMS, or change one
field of a timestamp request or answer in place."""
import re

TIMESTAMP_TOKEN_OID = bytes.fromhex("060b2a864886f70d010910020e")  # id-aa-signatureTimeStampToken


class Item:
    """One DER item of data: tag byte, where it starts, where its content starts and where it ends."""

    def __init__(self, data, start):
        self.data, self.start, self.tag = data, start, data[start]
        first = data[start + 1]
        if first < 0x80:
            length, head = first, 2
        else:
            count = first & 0x7F
            length, head = int.from_bytes(data[start + 2:start + 2 + count], "big"), 2 + count
        self.body = start + head
        self.end = self.body + length

    @property
    def content(self):
        return self.data[self.body:self.end]

    @property
    def raw(self):
        return self.data[self.start:self.end]

    def children(self):
        out, at = [], self.body
        while at < self.end:
            child = Item(self.data, at)
            out.append(child)
            at = child.end
        return out


def parse(data, start=0):
    return Item(data, start)


def pdf_signature(pdf):
    """The DER CMS in the last /Contents <hex> that the last /ByteRange leaves out, without its zero padding."""
    found = list(re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf))[-1]
    a, b, c, d = (int(x) for x in found.groups())
    der = bytes.fromhex(pdf[a + b + 1:c - 1].decode())
    return parse(der).raw


def signer_info(cms):
    """The only SignerInfo of a DER ContentInfo holding SignedData."""
    signed_data = parse(cms).children()[1].children()[0]
    return signed_data.children()[-1].children()[0]


def signature_value(cms):
    """The signature value (the OCTET STRING after the signature algorithm) of the only signer."""
    return [c for c in signer_info(cms).children() if c.tag == 0x04][-1].content


def timestamp_token(cms):
    """The DER token of the only signer's signature-time-stamp attribute, or None."""
    unsigned = [c for c in signer_info(cms).children() if c.tag == 0xA1]
    if not unsigned:
        return None
    for attribute in unsigned[0].children():
        oid, values = attribute.children()
        if oid.raw == TIMESTAMP_TOKEN_OID:
            return values.children()[0].raw
    return None


def find_all(item, tag):
    """Every item with tag under item, depth first (constructed items only are entered)."""
    out = []
    for child in item.children():
        if child.tag == tag:
            out.append(child)
        if child.tag & 0x20 and child.tag not in (0x04,):
            out.extend(find_all(child, tag))
    return out
