/* The indexer's log decoder in C: `decode_known` and the hand-read events' readers.
 *
 * impactchain/events.py plans each event once; an event whose arguments are all static words
 * (address, intN, uintN, bool, bytesN, any topic) or plain strings and bytes gets a `Reader`
 * from here, which reads a log's topics and data (hex strings) into its JSON arguments in the
 * ABI's order. The results, and the `LogDecodeError`s of misshapen logs, are those of the
 * Python readers it replaced, which the tests keep as the reference
 * (tests/support/python_decoder.py).
 *
 * Every word is read on a fast path when it has the shape a node serves (ASCII, "0x" and 64 hex
 * digits); anything else (a short topic, non-hex digits, a non-ASCII data string) goes to the
 * argument's Python reader from events.py, whose answer, value or error, is then the C one by
 * construction. Those cases never come from a node; they cost a call, not a second decoder.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <string.h>

/* What events.py hands over once (`bind`): the classes the decoded log is made of, the error
 * misshapen logs raise, and the functions the rare cases call. */
static PyObject *LogDecodeError, *storable_text, *checksum;
static PyObject *str_readers, *str_lower;

static signed char hex_value[256];

/* ---- hex and decimal -------------------------------------------------------------------- */

/* The `size` bytes that 2 * `size` hex digits spell; 0 if one is not a hex digit. */
static int
parse_hex(const char *hex, int size, unsigned char *out)
{
    for (int i = 0; i < size; i++) {
        int high = hex_value[(unsigned char)hex[2 * i]], low = hex_value[(unsigned char)hex[2 * i + 1]];
        if ((high | low) < 0) {
            return 0;
        }
        out[i] = (unsigned char)(high << 4 | low);
    }
    return 1;
}

static uint64_t
limb(const unsigned char *bytes)
{
    uint64_t value = 0;
    for (int i = 0; i < 8; i++) {
        value = value << 8 | bytes[i];
    }
    return value;
}

static PyObject *
ascii_string(const char *chars, Py_ssize_t size)
{
    PyObject *text = PyUnicode_New(size, 127);
    if (text != NULL) {
        memcpy(PyUnicode_DATA(text), chars, size);
    }
    return text;
}

/* `value` in decimal, `sign` ("-" or "") before it. */
static PyObject *
u128_decimal(unsigned __int128 value, const char *sign)
{
    char buffer[48];
    char *end = buffer + sizeof buffer, *at = end;
    while (value >= 10000000000000000000ULL) { /* 10^19: the rest in 64-bit divisions */
        uint64_t low = (uint64_t)(value % 10000000000000000000ULL);
        value /= 10000000000000000000ULL;
        for (int i = 0; i < 19; i++) {
            *--at = (char)('0' + low % 10);
            low /= 10;
        }
    }
    uint64_t rest = (uint64_t)value;
    do {
        *--at = (char)('0' + rest % 10);
        rest /= 10;
    } while (rest);
    if (*sign) {
        *--at = *sign;
    }
    return ascii_string(at, end - at);
}

/* str(int(word, 16)) for the 256-bit word `bytes`, read as two's complement when `is_signed`. */
static PyObject *
word_decimal(const unsigned char bytes[32], int is_signed)
{
    unsigned char magnitude[32];
    const unsigned char *digits = bytes;
    int negative = is_signed && bytes[0] & 0x80;
    if (negative) { /* two's complement: invert and add one */
        int carry = 1;
        for (int i = 31; i >= 0; i--) {
            int sum = (unsigned char)~bytes[i] + carry;
            magnitude[i] = (unsigned char)sum;
            carry = sum >> 8;
        }
        digits = magnitude;
    }
    if (limb(digits) == 0 && limb(digits + 8) == 0) {
        return u128_decimal((unsigned __int128)limb(digits + 16) << 64 | limb(digits + 24), negative ? "-" : "");
    }
    /* Past 128 bits (a uint256's max, an unlimited allowance): CPython's own conversion. */
    PyObject *number = _PyLong_FromByteArray(bytes, 32, 0, is_signed);
    if (number == NULL) {
        return NULL;
    }
    PyObject *text = PyObject_Str(number);
    Py_DECREF(number);
    return text;
}

/* int(text, 16) for a hex quantity ("0x10"); CPython's int() for any other shape. */
static PyObject *
quantity(PyObject *text)
{
    if (PyUnicode_CheckExact(text) && PyUnicode_IS_ASCII(text)) {
        Py_ssize_t size = PyUnicode_GET_LENGTH(text);
        const unsigned char *chars = PyUnicode_1BYTE_DATA(text);
        if (size > 2 && size <= 18 && chars[0] == '0' && (chars[1] == 'x' || chars[1] == 'X')) {
            uint64_t value = 0;
            Py_ssize_t i = 2;
            for (; i < size && hex_value[chars[i]] >= 0; i++) {
                value = value << 4 | (uint64_t)hex_value[chars[i]];
            }
            if (i == size) {
                return PyLong_FromUnsignedLongLong(value);
            }
        }
    }
    return PyObject_CallFunction((PyObject *)&PyLong_Type, "Oi", text, 16);
}

/* text.lower(), without a method call for ASCII, and `text` itself when it is lowercase already
 * (a node's hex: the log's address and hashes, three strings a log not made again). */
static PyObject *
lower(PyObject *text)
{
    if (!PyUnicode_CheckExact(text) || !PyUnicode_IS_ASCII(text)) {
        return PyObject_CallMethodNoArgs(text, str_lower);
    }
    Py_ssize_t size = PyUnicode_GET_LENGTH(text), upper = 0;
    for (const unsigned char *c = PyUnicode_1BYTE_DATA(text); upper < size && !(*c >= 'A' && *c <= 'Z'); c++) {
        upper++;
    }
    if (upper == size) {
        return Py_NewRef(text);
    }
    PyObject *result = PyUnicode_New(size, 127);
    if (result == NULL) {
        return NULL;
    }
    const unsigned char *from = PyUnicode_1BYTE_DATA(text);
    unsigned char *to = PyUnicode_1BYTE_DATA(result);
    for (Py_ssize_t i = 0; i < size; i++) {
        unsigned char c = from[i];
        to[i] = (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    return result;
}

/* ---- checksummed addresses ----------------------------------------------------------------- */

/* Addresses repeat (donors, tokens, contracts): their checksums are kept by their 20 bytes, as
 * many as events.py's Python cache holds, in sets of four by hash, the latest used first (twenty
 * thousand donors in one slot each missed one lookup in nine). */
#define ADDRESS_WAYS 4
#define ADDRESS_SETS (65536 / ADDRESS_WAYS)

typedef struct {
    unsigned char key[20];
    char checksummed[42]; /* '0' first when empty: a checksummed address starts "0x" */
    char pad[2];
} AddressSlot;

static AddressSlot (*address_sets)[ADDRESS_WAYS];

static PyObject *
checksummed(const unsigned char key[20])
{
    uint64_t a, b;
    uint32_t c;
    memcpy(&a, key, 8);
    memcpy(&b, key + 8, 8);
    memcpy(&c, key + 16, 4);
    uint64_t hash = (a * 0x9E3779B97F4A7C15ULL) ^ (b * 0xC2B2AE3D27D4EB4FULL) ^ (c * 0x165667B19E3779F9ULL);
    AddressSlot *set = address_sets[(hash ^ hash >> 32) & (ADDRESS_SETS - 1)];
    for (int way = 0; way < ADDRESS_WAYS; way++) {
        if (set[way].checksummed[0] == '0' && memcmp(set[way].key, key, 20) == 0) {
            if (way > 0) {
                AddressSlot hit = set[way];
                memmove(set + 1, set, way * sizeof *set);
                set[0] = hit;
            }
            return ascii_string(set[0].checksummed, 42);
        }
    }
    /* Its 20 bytes, not its hex: cchecksum 0.4.6 reads a str argument's lowered copy after freeing
     * it (harmless under pymalloc, caught by AddressSanitizer); its bytes path does not. */
    PyObject *raw = PyBytes_FromStringAndSize((const char *)key, 20);
    if (raw == NULL) {
        return NULL;
    }
    PyObject *result = PyObject_CallOneArg(checksum, raw);
    Py_DECREF(raw);
    if (result == NULL) {
        return NULL;
    }
    if (PyUnicode_CheckExact(result) && PyUnicode_IS_ASCII(result) && PyUnicode_GET_LENGTH(result) == 42) {
        memmove(set + 1, set, (ADDRESS_WAYS - 1) * sizeof *set);
        memcpy(set[0].key, key, 20);
        memcpy(set[0].checksummed, PyUnicode_1BYTE_DATA(result), 42);
    }
    return result;
}

/* ---- the reader of one event ----------------------------------------------------------------- */

/* Where an argument comes from (events.py's _TOPIC, _WORD, _TAIL) and what it is. */
enum { SOURCE_TOPIC, SOURCE_WORD, SOURCE_TAIL };
enum { KIND_UINT, KIND_INT, KIND_ADDRESS, KIND_BOOL, KIND_BYTES_N, KIND_STRING, KIND_BYTES };

typedef struct {
    PyObject *name;
    PyObject *read; /* events.py's reader: of a word (or, for a tail, of data and offset) */
    int source, kind, at, size;
} Field;

typedef struct {
    PyObject_HEAD
    PyObject *name;
    Py_ssize_t topics, words;
    int is_static;
    Py_ssize_t count;
    Field *fields;
} Reader;

static PyTypeObject ReaderType;

static int
field_kind(const char *type, int *size)
{
    size_t length = strlen(type);
    if (length == 0 || type[length - 1] == ']') { /* arrays are eth_abi's */
        return -1;
    }
    if (strcmp(type, "address") == 0) {
        return KIND_ADDRESS;
    }
    if (strncmp(type, "uint", 4) == 0) {
        return KIND_UINT;
    }
    if (strncmp(type, "int", 3) == 0) {
        return KIND_INT;
    }
    if (strcmp(type, "bool") == 0) {
        return KIND_BOOL;
    }
    if (strcmp(type, "string") == 0) {
        return KIND_STRING;
    }
    if (strcmp(type, "bytes") == 0) {
        return KIND_BYTES;
    }
    if (strncmp(type, "bytes", 5) == 0) {
        char *end;
        long value = strtol(type + 5, &end, 10);
        if (*end == '\0' && value >= 1 && value <= 32) {
            *size = (int)value;
            return KIND_BYTES_N;
        }
    }
    return -1;
}

static void
Reader_dealloc(Reader *self)
{
    for (Py_ssize_t i = 0; i < self->count; i++) {
        Py_XDECREF(self->fields[i].name);
        Py_XDECREF(self->fields[i].read);
    }
    PyMem_Free(self->fields);
    Py_XDECREF(self->name);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* Reader(name, topics, words, static, fields): fields are (name, source, at, ABI type, reader). */
static PyObject *
Reader_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    PyObject *name, *fields;
    Py_ssize_t topics, words;
    int is_static;
    static char *keywords[] = {"name", "topics", "words", "static", "fields", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "UnnpO:Reader", keywords, &name, &topics, &words, &is_static,
                                     &fields)) {
        return NULL;
    }
    PyObject *items = PySequence_Fast(fields, "fields must be a sequence");
    if (items == NULL) {
        return NULL;
    }
    Reader *self = (Reader *)type->tp_alloc(type, 0);
    if (self == NULL) {
        Py_DECREF(items);
        return NULL;
    }
    self->name = Py_NewRef(name);
    self->topics = topics;
    self->words = words;
    self->is_static = is_static;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(items);
    self->fields = PyMem_Calloc(count ? count : 1, sizeof(Field));
    if (self->fields == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        Field *field = &self->fields[i];
        PyObject *field_name, *read;
        const char *abi_type;
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(items, i), "UiisO:field", &field_name, &field->source,
                              &field->at, &abi_type, &read)) {
            goto fail;
        }
        self->count = i + 1;
        field->name = Py_NewRef(field_name);
        field->read = Py_NewRef(read);
        field->kind = field_kind(abi_type, &field->size);
        int tail = field->kind == KIND_STRING || field->kind == KIND_BYTES;
        if (field->kind < 0 || field->source < SOURCE_TOPIC || field->source > SOURCE_TAIL ||
            tail != (field->source == SOURCE_TAIL) || field->at < 0 ||
            (field->source == SOURCE_TOPIC ? field->at >= topics : field->at >= words)) {
            PyErr_Format(PyExc_ValueError, "field %R (%s) is not one a Reader reads", field_name, abi_type);
            goto fail;
        }
    }
    Py_DECREF(items);
    return (PyObject *)self;
fail:
    Py_DECREF(items);
    Py_DECREF(self);
    return NULL;
}

/* LogDecodeError("<event> does not decode: <why>"), from the error being raised when it is a
 * ValueError or TypeError (what the Python readers catch); other errors pass through. */
static void
does_not_decode(Reader *self)
{
    if (!PyErr_ExceptionMatches(PyExc_ValueError) && !PyErr_ExceptionMatches(PyExc_TypeError)) {
        return;
    }
    PyObject *type, *value, *traceback;
    PyErr_Fetch(&type, &value, &traceback);
    PyErr_NormalizeException(&type, &value, &traceback);
    PyObject *message = PyUnicode_FromFormat("%U does not decode: %S", self->name, value);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(traceback);
    if (message != NULL) {
        PyErr_SetObject(LogDecodeError, message);
        Py_DECREF(message);
    }
}

/* LogDecodeError("<event> does not decode: <why>"), `why` formatted as PyUnicode_FromFormat does. */
static void
refuse(Reader *self, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    PyObject *why = PyUnicode_FromFormatV(format, args);
    va_end(args);
    if (why != NULL) {
        PyObject *message = PyUnicode_FromFormat("%U does not decode: %U", self->name, why);
        Py_DECREF(why);
        if (message != NULL) {
            PyErr_SetObject(LogDecodeError, message);
            Py_DECREF(message);
        }
    }
}

static PyObject *last_word; /* slice(-64, None): events.py hands a reader the last word of a topic */

/* What a word holds, read by the argument's Python reader: for a word of any shape but a node's,
 * passed as events.py passes it (a whole topic to the integer and address readers, its last 64
 * digits to the others). */
static PyObject *
read_in_python(Reader *self, Field *field, PyObject *word)
{
    PyObject *argument = field->kind == KIND_UINT || field->kind == KIND_ADDRESS ? Py_NewRef(word)
                                                                                 : PyObject_GetItem(word, last_word);
    PyObject *value = argument == NULL ? NULL : PyObject_CallOneArg(field->read, argument);
    Py_XDECREF(argument);
    if (value == NULL) {
        does_not_decode(self);
    }
    return value;
}

/* The argument in one word: `hex` points at its 64 digits when the word has a node's shape, else
 * is NULL and `word` is the word (a topic or a slice of data) for the Python reader. */
static PyObject *
read_word(Reader *self, Field *field, const char *hex, PyObject *word)
{
    unsigned char bytes[32];
    if (hex != NULL) {
        switch (field->kind) {
        case KIND_BYTES_N: { /* "0x" + word[:2 * size].lower(), digits unchecked as in events.py */
            char text[66] = {'0', 'x'};
            for (int i = 0; i < 2 * field->size; i++) {
                unsigned char c = (unsigned char)hex[i];
                text[2 + i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            }
            return ascii_string(text, 2 + 2 * field->size);
        }
        case KIND_ADDRESS: /* its last 40 digits, whatever the 24 before them */
            if (parse_hex(hex + 24, 20, bytes)) {
                PyObject *value = checksummed(bytes);
                if (value == NULL) {
                    does_not_decode(self);
                }
                return value;
            }
            break;
        default:
            if (parse_hex(hex, 32, bytes)) {
                if (field->kind == KIND_BOOL) {
                    for (int i = 0; i < 32; i++) {
                        if (bytes[i]) {
                            Py_RETURN_TRUE;
                        }
                    }
                    Py_RETURN_FALSE;
                }
                return word_decimal(bytes, field->kind == KIND_INT);
            }
        }
    }
    if (word == NULL) {
        PyObject *made = ascii_string(hex, 64);
        PyObject *value = made == NULL ? NULL : read_in_python(self, field, made);
        Py_XDECREF(made);
        return value;
    }
    return read_in_python(self, field, word);
}

/* A string or bytes argument by its Python reader, from its offset (`offset`, or NULL to read it
 * as events.py does, int() of the head word that holds it). */
static PyObject *
read_tail_in_python(Reader *self, Field *field, PyObject *data, PyObject *offset)
{
    PyObject *value = NULL;
    if (offset == NULL) {
        Py_ssize_t head = 2 + 64 * (Py_ssize_t)field->at;
        PyObject *word = PyUnicode_Substring(data, head, head + 64);
        offset = word == NULL ? NULL : PyObject_CallFunction((PyObject *)&PyLong_Type, "Oi", word, 16);
        Py_XDECREF(word);
    } else {
        Py_INCREF(offset);
    }
    if (offset != NULL) {
        value = PyObject_CallFunctionObjArgs(field->read, data, offset, NULL);
        Py_DECREF(offset);
    }
    if (value == NULL) {
        does_not_decode(self);
    }
    return value;
}

/* A string's bytes as events.py stores them: UTF-8 with undecodable bytes replaced, and NUL
 * (which only a NUL byte decodes to) made storable by storable_text. */
static PyObject *
stored_string(Reader *self, const unsigned char *raw, Py_ssize_t size)
{
    PyObject *text = PyUnicode_DecodeUTF8((const char *)raw, size, "replace");
    if (text != NULL && memchr(raw, 0, size) != NULL) {
        Py_SETREF(text, PyObject_CallOneArg(storable_text, text));
        if (text == NULL) {
            does_not_decode(self);
        }
    }
    return text;
}

/* A string or bytes argument: the head word holds its offset into the data, where its length
 * word and its bytes are. `chars` is the data when ASCII (else NULL), `length` its length. */
static PyObject *
read_tail(Reader *self, Field *field, PyObject *data, const char *chars, Py_ssize_t length)
{
    unsigned char word[32];
    if (chars == NULL || !parse_hex(chars + 2 + 64 * (Py_ssize_t)field->at, 32, word)) {
        return read_tail_in_python(self, field, data, NULL);
    }
    uint64_t offset = limb(word + 24);
    if (limb(word) || limb(word + 8) || limb(word + 16) || offset % 32 || offset > (uint64_t)length ||
        2 + 2 * (Py_ssize_t)offset + 64 > length) {
        PyObject *decimal = word_decimal(word, 0);
        if (decimal != NULL) {
            refuse(self, "offset %U outside the data", decimal);
            Py_DECREF(decimal);
        }
        return NULL;
    }
    Py_ssize_t start = 2 + 2 * (Py_ssize_t)offset;
    if (!parse_hex(chars + start, 32, word)) {
        PyObject *at = PyLong_FromUnsignedLongLong(offset);
        PyObject *value = at == NULL ? NULL : read_tail_in_python(self, field, data, at);
        Py_XDECREF(at);
        return value;
    }
    uint64_t size = limb(word + 24);
    if (limb(word) || limb(word + 8) || limb(word + 16) || size > (uint64_t)length ||
        start + 64 + 2 * (Py_ssize_t)size > length) {
        PyObject *decimal = word_decimal(word, 0);
        if (decimal != NULL) {
            refuse(self, "%U bytes at offset %llu overrun the data", decimal, (unsigned long long)offset);
            Py_DECREF(decimal);
        }
        return NULL;
    }
    const char *hex = chars + start + 64;
    unsigned char small[256], *raw = size <= sizeof small ? small : PyMem_Malloc(size);
    if (raw == NULL) {
        return PyErr_NoMemory();
    }
    PyObject *value = NULL;
    if (parse_hex(hex, (int)size, raw)) {
        if (field->kind == KIND_STRING) {
            value = stored_string(self, raw, (Py_ssize_t)size);
        } else if ((value = PyUnicode_New(2 + 2 * (Py_ssize_t)size, 127)) != NULL) {
            static const char digits[] = "0123456789abcdef";
            char *text = (char *)PyUnicode_1BYTE_DATA(value);
            text[0] = '0';
            text[1] = 'x';
            for (uint64_t i = 0; i < size; i++) {
                text[2 + 2 * i] = digits[raw[i] >> 4];
                text[3 + 2 * i] = digits[raw[i] & 15];
            }
        }
    } else { /* bytes.fromhex takes spaces too, and says where a bad digit is: events.py's reader */
        PyObject *at = PyLong_FromUnsignedLongLong(offset);
        value = at == NULL ? NULL : read_tail_in_python(self, field, data, at);
        Py_XDECREF(at);
    }
    if (raw != small) {
        PyMem_Free(raw);
    }
    return value;
}

/* The digits of a topic with a node's shape ("0x" and 64 hex digits... checked by the reader),
 * or NULL. */
static const char *
topic_digits(PyObject *topic)
{
    if (!PyUnicode_CheckExact(topic) || !PyUnicode_IS_ASCII(topic) || PyUnicode_GET_LENGTH(topic) != 66) {
        return NULL;
    }
    const char *chars = (const char *)PyUnicode_1BYTE_DATA(topic);
    return chars[0] == '0' && (chars[1] == 'x' || chars[1] == 'X') ? chars + 2 : NULL;
}

/* A log's arguments from its topics and data, checked against the event's shape first. */
static PyObject *
read_log(Reader *self, PyObject *topics, PyObject *data)
{
    if (!PyList_CheckExact(topics) && PyObject_Size(topics) < 0) { /* len()'s own TypeError */
        return NULL;
    }
    PyObject *sequence = PySequence_Fast(topics, "topics must be a sequence");
    if (sequence == NULL) {
        return NULL;
    }
    PyObject *args = NULL;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(sequence);
    if (count != self->topics) {
        PyErr_Format(LogDecodeError, "%U has %zd indexed arguments, the log %zd", self->name, self->topics - 1,
                     count - 1);
        goto done;
    }
    if (!PyUnicode_Check(data)) {
        refuse(self, "data is %s, not str", Py_TYPE(data)->tp_name);
        goto done;
    }
    Py_ssize_t length = PyUnicode_GET_LENGTH(data), size = length - 2, head = 64 * self->words;
    if (self->is_static && size != head) {
        PyObject *words = PyFloat_FromDouble((double)size / 64);
        if (words != NULL) {
            refuse(self, "%zd words expected, got %S", self->words, words);
            Py_DECREF(words);
        }
        goto done;
    }
    if (!self->is_static && (size % 64 || size < head)) {
        refuse(self, "%zd hex digits of data for %zd head words", size, self->words);
        goto done;
    }
    const char *chars = PyUnicode_IS_ASCII(data) ? (const char *)PyUnicode_1BYTE_DATA(data) : NULL;
    if ((args = _PyDict_NewPresized(self->count)) == NULL) {
        goto done;
    }
    for (Py_ssize_t i = 0; i < self->count; i++) {
        Field *field = &self->fields[i];
        PyObject *value;
        if (field->source == SOURCE_TOPIC) {
            PyObject *topic = PySequence_Fast_GET_ITEM(sequence, field->at);
            value = read_word(self, field, topic_digits(topic), topic);
        } else if (field->source == SOURCE_TAIL) {
            value = read_tail(self, field, data, chars, length);
        } else if (chars != NULL) {
            value = read_word(self, field, chars + 2 + 64 * (Py_ssize_t)field->at, NULL);
        } else {
            Py_ssize_t start = 2 + 64 * (Py_ssize_t)field->at;
            PyObject *word = PyUnicode_Substring(data, start, start + 64);
            value = word == NULL ? NULL : read_word(self, field, NULL, word);
            Py_XDECREF(word);
        }
        if (value == NULL || PyDict_SetItem(args, field->name, value) < 0) {
            Py_XDECREF(value);
            Py_CLEAR(args);
            goto done;
        }
        Py_DECREF(value);
    }
done:
    Py_DECREF(sequence);
    return args;
}

static PyObject *
Reader_call(Reader *self, PyObject *args, PyObject *kwargs)
{
    PyObject *topics, *data;
    if (!_PyArg_NoKeywords("Reader", kwargs) || !PyArg_UnpackTuple(args, "Reader", 2, 2, &topics, &data)) {
        return NULL;
    }
    return read_log(self, topics, data);
}

static PyObject *
Reader_repr(Reader *self)
{
    return PyUnicode_FromFormat("<Reader of %U>", self->name);
}

static PyTypeObject ReaderType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "impactchain._decoder.Reader",
    .tp_doc = PyDoc_STR("Reader(name, topics, words, static, fields): reads a log (topics, data) of one event into "
                        "its arguments."),
    .tp_basicsize = sizeof(Reader),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = Reader_new,
    .tp_dealloc = (destructor)Reader_dealloc,
    .tp_call = (ternaryfunc)Reader_call,
    .tp_repr = (reprfunc)Reader_repr,
};

/* ---- the log and the event ------------------------------------------------------------------ */

/* A class whose instances keep their fields in slots (a slots dataclass, a msgspec Struct): its
 * fields read, and its instances made, by offset, as attribute access and a dataclass's __init__
 * (one assignment per field) would; through getattr and a call when it is not such a class. */
#define MAX_FIELDS 7

typedef struct {
    PyObject *cls;
    int count, direct;
    PyObject *names[MAX_FIELDS];
    Py_ssize_t offsets[MAX_FIELDS];
} Slots;

static Slots raw_log_slots, event_log_slots, log_ref_slots;
enum { LOG_ADDRESS, LOG_TOPICS, LOG_DATA, LOG_BLOCK_NUMBER, LOG_BLOCK_HASH, LOG_TRANSACTION_HASH, LOG_INDEX };

static int
bind_slots(Slots *slots, PyObject *cls, const char *const *names, int count, int made)
{
    Py_XSETREF(slots->cls, Py_NewRef(cls));
    slots->count = count;
    slots->direct = PyType_Check(cls);
    for (int i = 0; i < count; i++) {
        Py_XSETREF(slots->names[i], PyUnicode_InternFromString(names[i]));
        if (slots->names[i] == NULL) {
            return -1;
        }
        PyObject *descriptor = slots->direct ? _PyType_Lookup((PyTypeObject *)cls, slots->names[i]) : NULL;
        PyMemberDef *member = descriptor != NULL && Py_IS_TYPE(descriptor, &PyMemberDescr_Type)
                                  ? ((PyMemberDescrObject *)descriptor)->d_member
                                  : NULL;
        slots->direct = member != NULL && member->type == T_OBJECT_EX && !(member->flags & READONLY);
        slots->offsets[i] = slots->direct ? member->offset : 0;
    }
    if (made && slots->direct) { /* made without __init__: only if that is all __init__ would do */
        int post_init = PyObject_HasAttrString(cls, "__post_init__");
        slots->direct = ((PyTypeObject *)cls)->tp_new == PyBaseObject_Type.tp_new && !post_init;
    }
    return 0;
}

static PyObject *
field_of(Slots *slots, PyObject *object, int field)
{
    if (slots->direct && Py_IS_TYPE(object, (PyTypeObject *)slots->cls)) {
        PyObject *value = *(PyObject **)((char *)object + slots->offsets[field]);
        if (value != NULL) {
            return Py_NewRef(value);
        }
    }
    return PyObject_GetAttr(object, slots->names[field]);
}

static PyObject *
make(Slots *slots, PyObject *const *fields)
{
    if (!slots->direct) {
        return PyObject_Vectorcall(slots->cls, fields, slots->count, NULL);
    }
    PyTypeObject *type = (PyTypeObject *)slots->cls;
    PyObject *object = type->tp_alloc(type, 0);
    if (object != NULL) {
        for (int i = 0; i < slots->count; i++) {
            *(PyObject **)((char *)object + slots->offsets[i]) = Py_NewRef(fields[i]);
        }
    }
    return object;
}

/* LogRef(int(block_number, 16), block_hash.lower(), transaction_hash.lower(), int(log_index, 16)). */
static PyObject *
raw_ref(PyObject *log)
{
    PyObject *fields[4] = {NULL, NULL, NULL, NULL}, *ref = NULL;
    for (int i = 0; i < 4; i++) {
        PyObject *value = field_of(&raw_log_slots, log, LOG_BLOCK_NUMBER + i);
        if (value == NULL) {
            goto done;
        }
        fields[i] = i % 3 == 0 ? quantity(value) : lower(value);
        Py_DECREF(value);
        if (fields[i] == NULL) {
            goto done;
        }
    }
    ref = make(&log_ref_slots, fields);
done:
    for (int i = 0; i < 4; i++) {
        Py_XDECREF(fields[i]);
    }
    return ref;
}

/* EventLog(log.address.lower(), name, read(topics, log.data), raw_ref(log)), in that order. */
static PyObject *
event_log(PyObject *log, PyObject *topics, PyObject *name, PyObject *read)
{
    PyObject *fields[4] = {NULL, NULL, NULL, NULL}, *event = NULL, *data = NULL;
    PyObject *address = field_of(&raw_log_slots, log, LOG_ADDRESS);
    if (address != NULL) {
        fields[0] = lower(address);
        Py_DECREF(address);
    }
    if (fields[0] != NULL && (data = field_of(&raw_log_slots, log, LOG_DATA)) != NULL) {
        fields[1] = Py_NewRef(name);
        fields[2] = Py_IS_TYPE(read, &ReaderType) ? read_log((Reader *)read, topics, data)
                                                  : PyObject_CallFunctionObjArgs(read, topics, data, NULL);
        if (fields[2] != NULL && (fields[3] = raw_ref(log)) != NULL) {
            event = make(&event_log_slots, fields);
        }
    }
    for (int i = 0; i < 4; i++) {
        Py_XDECREF(fields[i]);
    }
    Py_XDECREF(data);
    return event;
}

/* Whether a call of `name` with `nargs` arguments may go on: it takes `count` of them, and
 * events.py has bound the classes (`bind`); a TypeError or a RuntimeError if not. */
static int
callable_with(const char *name, Py_ssize_t nargs, Py_ssize_t count)
{
    if (!_PyArg_CheckPositional(name, nargs, count, count)) {
        return 0;
    }
    if (event_log_slots.cls == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "impactchain._decoder is not bound (impactchain.events binds it)");
        return 0;
    }
    return 1;
}

static PyObject *
decode_known(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (!callable_with("decode_known", nargs, 2)) {
        return NULL;
    }
    PyObject *decoder = args[0], *log = args[1], *readers = NULL, *first = NULL, *event = NULL;
    PyObject *topics = field_of(&raw_log_slots, log, LOG_TOPICS);
    if (topics == NULL) {
        return NULL;
    }
    int any = PyObject_IsTrue(topics);
    if (any <= 0) {
        Py_DECREF(topics);
        return any < 0 ? NULL : Py_NewRef(Py_None);
    }
    if ((readers = PyObject_GetAttr(decoder, str_readers)) != NULL && (first = PySequence_GetItem(topics, 0)) != NULL) {
        PyObject *entry = PyDict_GetItemWithError(readers, first); /* (name, read) */
        if (entry != NULL) {
            Py_INCREF(entry);
            event = event_log(log, topics, PyTuple_GET_ITEM(entry, 0), PyTuple_GET_ITEM(entry, 1));
            Py_DECREF(entry);
        } else if (!PyErr_Occurred()) {
            event = Py_NewRef(Py_None);
        }
    }
    Py_XDECREF(first);
    Py_XDECREF(readers);
    Py_DECREF(topics);
    return event;
}

/* ---- the event store's rows, in COPY's binary format ---------------------------------------- */

/* A growing byte buffer (the COPY payload of one step's events: a few MB). */
typedef struct {
    char *data;
    Py_ssize_t size, capacity;
} Buffer;

static int
reserve(Buffer *buffer, Py_ssize_t more)
{
    if (buffer->size + more <= buffer->capacity) {
        return 0;
    }
    Py_ssize_t capacity = buffer->capacity * 2 > buffer->size + more ? buffer->capacity * 2 : buffer->size + more;
    char *data = PyMem_Realloc(buffer->data, capacity);
    if (data == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    buffer->data = data;
    buffer->capacity = capacity;
    return 0;
}

static void
put_u32(Buffer *buffer, uint32_t value) /* room reserved by the caller */
{
    unsigned char *at = (unsigned char *)buffer->data + buffer->size;
    at[0] = (unsigned char)(value >> 24);
    at[1] = (unsigned char)(value >> 16);
    at[2] = (unsigned char)(value >> 8);
    at[3] = (unsigned char)value;
    buffer->size += 4;
}

static int
put_bytes(Buffer *buffer, const char *bytes, Py_ssize_t size)
{
    if (reserve(buffer, size) < 0) {
        return -1;
    }
    memcpy(buffer->data + buffer->size, bytes, size);
    buffer->size += size;
    return 0;
}

/* A field: its length, then its bytes. */
static int
put_field(Buffer *buffer, const char *bytes, Py_ssize_t size)
{
    if (size > INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "a COPY field is limited to 2 GiB");
        return -1;
    }
    if (reserve(buffer, 4) < 0) {
        return -1;
    }
    put_u32(buffer, (uint32_t)size);
    return put_bytes(buffer, bytes, size);
}

/* An int8 (`size` 8) or int4 (4) field: PostgreSQL's binary integers are big-endian. */
static int
put_integer(Buffer *buffer, PyObject *number, int size)
{
    long long value = PyLong_AsLongLong(number);
    if (value == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (size == 4 && (value < INT32_MIN || value > INT32_MAX)) {
        PyErr_Format(PyExc_OverflowError, "%lld does not fit an integer column", value);
        return -1;
    }
    if (reserve(buffer, 4 + size) < 0) {
        return -1;
    }
    put_u32(buffer, (uint32_t)size);
    if (size == 8) {
        put_u32(buffer, (uint32_t)((unsigned long long)value >> 32));
    }
    put_u32(buffer, (uint32_t)value);
    return 0;
}

static int
put_text(Buffer *buffer, PyObject *text)
{
    Py_ssize_t size;
    const char *chars = PyUnicode_Check(text) ? PyUnicode_AsUTF8AndSize(text, &size) : NULL;
    if (chars == NULL) {
        if (!PyErr_Occurred()) {
            PyErr_Format(PyExc_TypeError, "a text column's value must be a str, not %.100s", Py_TYPE(text)->tp_name);
        }
        return -1;
    }
    return put_field(buffer, chars, size);
}

/* `text` as a JSON string, escaped as orjson escapes it (", \ and control characters); 0 if it is
 * not UTF-8 (a lone surrogate: the caller falls back on orjson, which says so). */
static int
json_string(Buffer *buffer, PyObject *text)
{
    Py_ssize_t size;
    const unsigned char *chars = (const unsigned char *)PyUnicode_AsUTF8AndSize(text, &size);
    if (chars == NULL) {
        PyErr_Clear();
        return 0;
    }
    if (reserve(buffer, 6 * size + 2) < 0) {
        return -1;
    }
    static const char hex[] = "0123456789abcdef";
    char *out = buffer->data + buffer->size;
    *out++ = '"';
    for (Py_ssize_t i = 0; i < size; i++) {
        unsigned char c = chars[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            *out++ = (char)c;
            continue;
        }
        *out++ = '\\';
        switch (c) {
        case '"': case '\\': *out++ = (char)c; break;
        case '\b': *out++ = 'b'; break;
        case '\f': *out++ = 'f'; break;
        case '\n': *out++ = 'n'; break;
        case '\r': *out++ = 'r'; break;
        case '\t': *out++ = 't'; break;
        default:
            memcpy(out, "u00", 3);
            out[3] = hex[c >> 4];
            out[4] = hex[c & 15];
            out += 5;
        }
    }
    *out++ = '"';
    buffer->size = out - buffer->data;
    return 1;
}

/* A 64-bit integer in decimal. */
static int
put_decimal(Buffer *buffer, long long number)
{
    char digits[24];
    return put_bytes(buffer, digits, snprintf(digits, sizeof digits, "%lld", number));
}

/* One argument's JSON value, if it is a str, bool, None or an int within 64 bits: 1 written, 0
 * for any other value (the caller falls back), -1 on error. */
static int
json_value(Buffer *buffer, PyObject *value)
{
    if (PyUnicode_Check(value)) {
        return json_string(buffer, value);
    }
    if (value == Py_True || value == Py_False || value == Py_None) {
        const char *word = value == Py_True ? "true" : value == Py_False ? "false" : "null";
        return put_bytes(buffer, word, (Py_ssize_t)strlen(word)) < 0 ? -1 : 1;
    }
    if (!PyLong_CheckExact(value)) {
        return 0;
    }
    int overflow;
    long long number = PyLong_AsLongLongAndOverflow(value, &overflow);
    if (overflow || (number == -1 && PyErr_Occurred())) {
        PyErr_Clear();
        return 0; /* orjson refuses an int past 64 bits; so does the fallback */
    }
    return put_decimal(buffer, number) < 0 ? -1 : 1;
}

/* The JSON object of `args` (str keys; str, bool, None or int values: what the decoder gives a
 * hand-read event); 0 for any other shape (eth_abi's lists and tuples: the caller falls back). */
static int
json_args(Buffer *buffer, PyObject *args)
{
    if (!PyDict_CheckExact(args)) {
        return 0;
    }
    if (put_bytes(buffer, "{", 1) < 0) {
        return -1;
    }
    Py_ssize_t position = 0;
    PyObject *key, *value;
    for (int first = 1; PyDict_Next(args, &position, &key, &value); first = 0) {
        if (!PyUnicode_Check(key)) {
            return 0;
        }
        int written;
        if ((!first && put_bytes(buffer, ",", 1) < 0) || (written = json_string(buffer, key)) < 0 ||
            (written && put_bytes(buffer, ":", 1) < 0)) {
            return -1;
        }
        if (written == 0 || (written = json_value(buffer, value)) <= 0) {
            return written;
        }
    }
    return put_bytes(buffer, "}", 1) < 0 ? -1 : 1;
}

/* The jsonb field of `args`: version 1, then its JSON text (built here, or by `dumps` for a shape
 * json_args does not write). */
static int
put_args(Buffer *buffer, PyObject *args, PyObject *dumps)
{
    if (reserve(buffer, 5) < 0) {
        return -1;
    }
    Py_ssize_t start = buffer->size;
    buffer->size += 4;
    buffer->data[buffer->size++] = 1;
    int written = json_args(buffer, args);
    if (written < 0) {
        return -1;
    }
    if (written == 0) {
        buffer->size = start + 5;
        PyObject *json = PyObject_CallOneArg(dumps, args);
        if (json == NULL) {
            return -1;
        }
        if (!PyBytes_Check(json)) {
            Py_DECREF(json);
            PyErr_SetString(PyExc_TypeError, "dumps must return bytes");
            return -1;
        }
        int failed = put_bytes(buffer, PyBytes_AS_STRING(json), PyBytes_GET_SIZE(json));
        Py_DECREF(json);
        if (failed) {
            return -1;
        }
    }
    Py_ssize_t size = buffer->size - start - 4;
    if (size > INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "a COPY field is limited to 2 GiB");
        return -1;
    }
    Py_ssize_t end = buffer->size;
    buffer->size = start;
    put_u32(buffer, (uint32_t)size);
    buffer->size = end;
    return 0;
}

/* One event's row: chain_id, contract, contract_name, event, args, block_number, block_hash,
 * tx_hash, log_index. */
static int
put_event(Buffer *buffer, PyObject *chain_id, PyObject *event, PyObject *name, PyObject *dumps)
{
    PyObject *fields[4] = {NULL, NULL, NULL, NULL}, *ref[4] = {NULL, NULL, NULL, NULL};
    int failed = -1;
    for (int i = 0; i < 4; i++) {
        if ((fields[i] = field_of(&event_log_slots, event, i)) == NULL) {
            goto done;
        }
    }
    for (int i = 0; i < 4; i++) {
        if ((ref[i] = field_of(&log_ref_slots, fields[3], i)) == NULL) {
            goto done;
        }
    }
    if (reserve(buffer, 2) < 0) {
        goto done;
    }
    buffer->data[buffer->size++] = 0;
    buffer->data[buffer->size++] = 9;
    failed = put_integer(buffer, chain_id, 8) || put_text(buffer, fields[0]) || put_text(buffer, name) ||
             put_text(buffer, fields[1]) || put_args(buffer, fields[2], dumps) || put_integer(buffer, ref[0], 8) ||
             put_text(buffer, ref[1]) || put_text(buffer, ref[2]) || put_integer(buffer, ref[3], 4);
done:
    for (int i = 0; i < 4; i++) {
        Py_XDECREF(fields[i]);
        Py_XDECREF(ref[i]);
    }
    return failed ? -1 : 0;
}

static PyObject *
copy_events(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (!callable_with("copy_events", nargs, 4)) {
        return NULL;
    }
    PyObject *chain_id = args[0], *dumps = args[3];
    if (!PyLong_Check(chain_id)) {
        return PyErr_Format(PyExc_TypeError, "copy_events: chain_id must be an int");
    }
    /* Tuples of their items as they are now (a list as it is: nothing here runs Python code
     * that could change one but `dumps`, and the items are held while used). */
    PyObject *events = PySequence_Tuple(args[1]), *names = events == NULL ? NULL : PySequence_Tuple(args[2]);
    PyObject *payload = NULL;
    Buffer buffer = {NULL, 0, 0};
    if (names == NULL) {
        goto done;
    }
    Py_ssize_t count = PyTuple_GET_SIZE(events);
    if (PyTuple_GET_SIZE(names) != count) {
        PyErr_Format(PyExc_ValueError, "copy_events: %zd events but %zd names", count, PyTuple_GET_SIZE(names));
        goto done;
    }
    if (reserve(&buffer, 21 + count * 512) < 0) {
        goto done;
    }
    memcpy(buffer.data, "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0", 19); /* signature, flags, no extension */
    buffer.size = 19;
    for (Py_ssize_t i = 0; i < count; i++) {
        if (put_event(&buffer, chain_id, PyTuple_GET_ITEM(events, i), PyTuple_GET_ITEM(names, i), dumps) < 0) {
            goto done;
        }
    }
    if (put_bytes(&buffer, "\377\377", 2) == 0) { /* the trailer: a field count of -1 */
        payload = PyBytes_FromStringAndSize(buffer.data, buffer.size);
    }
done:
    PyMem_Free(buffer.data);
    Py_XDECREF(events);
    Py_XDECREF(names);
    return payload;
}

/* ---- rows of ints and strs, in COPY's text format ---------------------------------------- */

/* `records` (tuples of `width` values) in COPY's text format when every value is an int or a
 * str with no tab, newline, carriage return or backslash (a projection's rows: hex, decimal
 * strings, numbers); None when one is not, for the caller's escaping path. */
static PyObject *
copy_plain(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (!_PyArg_CheckPositional("copy_plain", nargs, 2, 2)) {
        return NULL;
    }
    Py_ssize_t width = PyLong_AsSsize_t(args[1]);
    if (width == -1 && PyErr_Occurred()) {
        return NULL;
    }
    PyObject *records = PySequence_Tuple(args[0]), *text = NULL;
    if (records == NULL) {
        return NULL;
    }
    Py_ssize_t count = PyTuple_GET_SIZE(records);
    Buffer buffer = {NULL, 0, 0};
    if (reserve(&buffer, count * 256 + 1) < 0) {
        goto done;
    }
    for (Py_ssize_t row = 0; row < count; row++) {
        PyObject *record = PyTuple_GET_ITEM(records, row);
        if (!PyTuple_Check(record) || PyTuple_GET_SIZE(record) != width) {
            goto plain_not;
        }
        for (Py_ssize_t i = 0; i < width; i++) {
            PyObject *value = PyTuple_GET_ITEM(record, i);
            char separator = i + 1 < width ? '\t' : '\n';
            if (PyUnicode_CheckExact(value)) {
                Py_ssize_t size;
                const char *chars = PyUnicode_AsUTF8AndSize(value, &size);
                if (chars == NULL) {
                    goto done; /* a lone surrogate: what .encode() would raise */
                }
                for (Py_ssize_t c = 0; c < size; c++) {
                    if (chars[c] == '\t' || chars[c] == '\n' || chars[c] == '\r' || chars[c] == '\\') {
                        goto plain_not;
                    }
                }
                if (put_bytes(&buffer, chars, size) < 0) {
                    goto done;
                }
            } else if (PyLong_CheckExact(value)) {
                int overflow;
                long long number = PyLong_AsLongLongAndOverflow(value, &overflow);
                if (overflow) {
                    PyObject *digits = PyObject_Str(value);
                    int failed = digits == NULL || put_bytes(&buffer, PyUnicode_AsUTF8(digits), PyUnicode_GET_LENGTH(digits)) < 0;
                    Py_XDECREF(digits);
                    if (failed) {
                        goto done;
                    }
                } else if (put_decimal(&buffer, number) < 0) {
                    goto done;
                }
            } else {
                goto plain_not;
            }
            if (put_bytes(&buffer, &separator, 1) < 0) {
                goto done;
            }
        }
    }
    text = PyBytes_FromStringAndSize(buffer.data, buffer.size);
    goto done;
plain_not:
    text = Py_NewRef(Py_None);
done:
    PyMem_Free(buffer.data);
    Py_DECREF(records);
    return text;
}

static PyObject *
bind(PyObject *module, PyObject *args)
{
    PyObject *raw_log, *event_log, *log_ref, *error, *storable, *checksum_address;
    if (!PyArg_ParseTuple(args, "OOOOOO:bind", &raw_log, &event_log, &log_ref, &error, &storable, &checksum_address)) {
        return NULL;
    }
    static const char *const raw_log_names[] = {"address", "topics", "data", "block_number", "block_hash",
                                                "transaction_hash", "log_index"};
    static const char *const event_log_names[] = {"contract", "event", "args", "ref"};
    static const char *const log_ref_names[] = {"block_number", "block_hash", "tx_hash", "log_index"};
    if (bind_slots(&raw_log_slots, raw_log, raw_log_names, 7, 0) < 0 ||
        bind_slots(&event_log_slots, event_log, event_log_names, 4, 1) < 0 ||
        bind_slots(&log_ref_slots, log_ref, log_ref_names, 4, 1) < 0) {
        return NULL;
    }
    Py_XSETREF(LogDecodeError, Py_NewRef(error));
    Py_XSETREF(storable_text, Py_NewRef(storable));
    Py_XSETREF(checksum, Py_NewRef(checksum_address));
    Py_RETURN_NONE;
}

static PyObject *
made_directly(PyObject *module, PyObject *unused)
{
    return Py_BuildValue("{sOsOsO}", "RawLog", raw_log_slots.direct ? Py_True : Py_False, "EventLog",
                         event_log_slots.direct ? Py_True : Py_False, "LogRef",
                         log_ref_slots.direct ? Py_True : Py_False);
}

static PyMethodDef methods[] = {
    {"decode_known", (PyCFunction)(void (*)(void))decode_known, METH_FASTCALL,
     PyDoc_STR("decode_known(decoder, log): `log` decoded, or None when it names no event of the decoder's ABI.")},
    {"copy_events", (PyCFunction)(void (*)(void))copy_events, METH_FASTCALL,
     PyDoc_STR("copy_events(chain_id, events, names, dumps): the event store's rows of `events` (names[i] the contract "
               "name of events[i]) as a COPY payload in the binary format; `dumps` writes the JSON of arguments "
               "of any other shape than str, bool, None and int values.")},
    {"copy_plain", (PyCFunction)(void (*)(void))copy_plain, METH_FASTCALL,
     PyDoc_STR("copy_plain(records, width): the records in COPY's text format if every value is an int or a str "
               "with nothing to escape, else None.")},
    {"bind", bind, METH_VARARGS,
     PyDoc_STR("bind(RawLog, EventLog, LogRef, LogDecodeError, storable_text, checksum): what logs are read from "
               "and made of, and what the rare cases call.")},
    {"made_directly", made_directly, METH_NOARGS,
     PyDoc_STR("made_directly(): which of RawLog, EventLog and LogRef are read or made by slot offset.")},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "impactchain._decoder",
    .m_doc = PyDoc_STR("The indexer's log decoder in C (see impactchain/events.py)."),
    .m_size = -1,
    .m_methods = methods,
};

static int
intern(PyObject **target, const char *text)
{
    return (*target = PyUnicode_InternFromString(text)) == NULL ? -1 : 0;
}

PyMODINIT_FUNC
PyInit__decoder(void)
{
    memset(hex_value, -1, sizeof hex_value);
    for (int i = 0; i < 10; i++) {
        hex_value['0' + i] = (signed char)i;
    }
    for (int i = 0; i < 6; i++) {
        hex_value['a' + i] = hex_value['A' + i] = (signed char)(10 + i);
    }
    if ((address_sets = PyMem_Calloc(ADDRESS_SETS, sizeof *address_sets)) == NULL) {
        return PyErr_NoMemory();
    }
    PyObject *start = PyLong_FromLong(-64);
    last_word = start == NULL ? NULL : PySlice_New(start, NULL, NULL);
    Py_XDECREF(start);
    if (last_word == NULL || intern(&str_readers, "_readers") || intern(&str_lower, "lower") ||
        PyType_Ready(&ReaderType) < 0) {
        return NULL;
    }
    PyObject *module = PyModule_Create(&module_def);
    if (module != NULL && PyModule_AddObjectRef(module, "Reader", (PyObject *)&ReaderType) < 0) {
        Py_CLEAR(module);
    }
    return module;
}
